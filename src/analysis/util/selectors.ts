// Label selectors matched through an index rather than against every object: a selector (k8s
// labels.SelectorFromSet, as `selects` reads it) can only match labels that have its first key with its
// value, so candidates are looked up by that one label and then checked with `selects` in full.

import { selects } from '../context.js';

type Labels = Record<string, unknown>;

/** Items by each of their labels: which of them a selector matches. */
export class LabelIndex<T> {
  /** label key → label value → the items with that label, in item order. */
  private readonly byLabel = new Map<string, Map<unknown, T[]>>();

  constructor(
    readonly items: readonly T[],
    private readonly labelsOf: (item: T) => Labels,
  ) {
    for (const item of items) {
      for (const [k, v] of Object.entries(labelsOf(item))) {
        const values = this.byLabel.get(k) ?? this.byLabel.set(k, new Map()).get(k)!;
        const list = values.get(v);
        if (list) list.push(item);
        else values.set(v, [item]);
      }
    }
  }

  /** The items whose labels the selector matches, in item order (an empty selector matches every item). */
  selectedBy(selector: Record<string, any> | undefined): T[] {
    const first = Object.entries(selector ?? {})[0];
    if (!first) return [...this.items];
    // A label's value must equal String(v) to match: a value of another type matches no selector.
    const candidates = this.byLabel.get(first[0])?.get(String(first[1])) ?? [];
    return candidates.filter((item) => selects(selector, this.labelsOf(item) as Record<string, string>));
  }
}

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
