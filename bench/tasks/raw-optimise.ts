/**
 * The raw Piscina worker of the scaling benchmark: the same 2-opt on plain data, no codec. It
 * shows how far this machine's threads scale at all, which is the ceiling for the app.
 * @module
 */
import { City, Tour } from './tour.js';

/** A tour as plain data. */
export interface PlainTour {
  cities: { x: number; y: number }[];
  order: number[];
}

/** Improves a plain tour and returns the improved one as plain data. */
export default function optimise(plain: PlainTour): PlainTour {
  const tour = new Tour(
    plain.cities.map((c) => new City(c.x, c.y)),
    plain.order,
  ).improved();
  return { cities: plain.cities, order: [...tour.order] };
}
