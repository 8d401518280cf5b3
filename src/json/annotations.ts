/**
 * Where the JSON writer files annotations. Each of superjson's goes into the children of the
 * nearest ancestor superjson annotates, keyed by the path from there, which is how superjson nests
 * them; celerity's own go into a flat list, each with the raw path of its place (`ext.types`). The
 * current path is kept as a stack of raw segments and joined only when an annotation needs it.
 * @module
 */
import { setOwn } from '../codec/own-property.js';
import { escapeSegment, type Annotation, type AnnotationChildren, type AnnotationType, type ExtEntry, type ExtType } from './format.js';

/** One segment of a path: a property key or an index. */
export type Segment = string | number;

/** The annotation tree of one stringify call; the writer builds on it. */
export class AnnotationWriter {
  /** Raw path segments of the current position, `depth` of them. */
  protected readonly segments: Segment[] = [];
  protected depth = 0;
  /** Annotations of the nearest annotated ancestor (or the root), and that ancestor's depth. */
  private owner: AnnotationChildren | undefined;
  private ownerDepth = 0;
  private rootAnnotation: Annotation | undefined;
  /** The owners (and their depths) that the annotated nodes being written hide, innermost last. */
  private readonly outerOwners: (AnnotationChildren | undefined)[] = [];
  private readonly outerOwnerDepths: number[] = [];
  private extTypes: ExtEntry[] | undefined;

  /** Files one of celerity's own annotations for the current position. */
  protected putExt(type: ExtType): void {
    const entry: ExtEntry = [type];
    for (let i = 0; i < this.depth; i++) entry.push(this.segments[i] as Segment);
    (this.extTypes ??= []).push(entry);
  }

  /** celerity's own annotations of the whole value (`ext.types`), once the walk is over. */
  protected extAnnotations(): ExtEntry[] | undefined {
    return this.extTypes;
  }

  /** The current path as superjson writes it: escaped segments joined by dots. */
  protected pathText(segments: readonly Segment[]): string {
    // join makes one flat string; += would make a rope of two pieces per segment, which a deep
    // shared object (a path per occurrence, each as long as its depth) pays for in garbage.
    const parts = new Array<string>(segments.length);
    for (let i = 0; i < segments.length; i++) parts[i] = escapeSegment(segments[i] as Segment);
    return parts.join('.');
  }

  /** Files `annotation` for the current position under the nearest annotated ancestor. */
  protected put(annotation: Annotation): void {
    const from = this.ownerDepth;
    const to = this.depth;
    if (to === 0) {
      this.rootAnnotation = annotation;
      return;
    }
    const segments = this.segments;
    const first = segments[from] as Segment;
    if (to === from + 1 && typeof first === 'number') {
      // An array element's own annotation (an instance in a list, the common case): its key is
      // the index, stored as one without being turned into text and parsed back.
      (this.owner ??= {})[first] = annotation;
      return;
    }
    let key = escapeSegment(first);
    for (let i = from + 1; i < to; i++) key += '.' + escapeSegment(segments[i] as Segment);
    setOwn((this.owner ??= {}), key, annotation);
  }

  /**
   * Starts an annotated node at the current position: annotations met inside it are filed under it
   * until {@link close}. Returns the node's depth.
   */
  protected openOwner(): number {
    this.outerOwners.push(this.owner);
    this.outerOwnerDepths.push(this.ownerDepth);
    this.owner = undefined;
    return (this.ownerDepth = this.depth);
  }

  /** Ends the annotated node {@link openOwner} started: restores the outer owner and files the node's annotation there. */
  protected close(type: AnnotationType): void {
    const children = this.owner;
    this.owner = this.outerOwners.pop();
    this.ownerDepth = this.outerOwnerDepths.pop() as number;
    this.put(children === undefined ? [type] : [type, children]);
  }

  /** The annotations of the whole value (`meta.values`), once the walk is over; none if nothing needed one. */
  protected annotations(): Annotation | AnnotationChildren | undefined {
    const root = this.rootAnnotation;
    // A root annotated after its children were filed (a root array that turned out sparse): they
    // become its children.
    if (root !== undefined && root.length === 1 && this.owner !== undefined) return [root[0], this.owner];
    return root ?? this.owner;
  }
}
