/**
 * The tasks module of the scaling benchmark, loaded in every worker thread.
 * @module
 */
import { defineTasks } from 'celerity';
import { Tour } from './tour.js';

export default defineTasks({
  /** Improves a tour to a 2-opt local optimum. */
  optimise(tour: Tour): Tour {
    return tour.improved();
  },
});
