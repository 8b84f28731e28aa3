/** Adds `value` to the list kept under `key`, in place: rebuilding the list on every add makes grouping quadratic. */
export function appendTo<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const list = groups.get(key);
  if (list) list.push(value);
  else groups.set(key, [value]);
}
