// Label selectors matched through an index rather than each against every object: a selector (k8s
// labels.SelectorFromSet, as `selects` reads it) can only match labels that have its first key with its
// value, so candidates are looked up by that one label and then checked with `selects` in full.

import { selects } from '../context.js';

/** Items by the first label of their selectors: which of them select a given set of labels. */
export class SelectorIndex<T> {
  /** first selector key → its value → the items (with their position) whose selector starts so. */
  private readonly byFirst = new Map<string, Map<string, { at: number; item: T }[]>>();
  /** Items with an empty selector: they select every set of labels. */
  private readonly selectingAll: { at: number; item: T }[] = [];

  constructor(
    items: readonly T[],
    private readonly selectorOf: (item: T) => Record<string, any>,
  ) {
    items.forEach((item, at) => {
      const first = Object.entries(selectorOf(item))[0];
      if (!first) return void this.selectingAll.push({ at, item });
      const values = this.byFirst.get(first[0]) ?? this.byFirst.set(first[0], new Map()).get(first[0])!;
      const value = String(first[1]);
      const list = values.get(value);
      if (list) list.push({ at, item });
      else values.set(value, [{ at, item }]);
    });
  }

  /** The items whose selector matches the labels, in item order. */
  selecting(labels: Record<string, string>): T[] {
    const found = [...this.selectingAll];
    for (const [k, v] of Object.entries(labels)) {
      if (typeof v !== 'string') continue;
      for (const e of this.byFirst.get(k)?.get(v) ?? []) if (selects(this.selectorOf(e.item), labels)) found.push(e);
    }
    return found.sort((a, b) => a.at - b.at).map((e) => e.item);
  }
}
