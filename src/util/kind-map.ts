// Tables by apiVersion and kind, looked up without joining the two into an "apiVersion/kind" key: the
// strings of a read manifest are shared by its objects and keep their hash, where a joined key is a new
// string hashed on every lookup (five lookups per object in the manifest stage).

export class KindMap<T> {
  private readonly byVersion = new Map<string, Map<string, T>>();

  constructor(entries: Iterable<readonly [apiVersion: string, kind: string, value: T]> = []) {
    for (const [apiVersion, kind, value] of entries) this.set(apiVersion, kind, value);
  }

  set(apiVersion: string, kind: string, value: T): this {
    let byKind = this.byVersion.get(apiVersion);
    if (!byKind) this.byVersion.set(apiVersion, (byKind = new Map()));
    byKind.set(kind, value);
    return this;
  }

  get(apiVersion: string, kind: string): T | undefined {
    return this.byVersion.get(apiVersion)?.get(kind);
  }

  has(apiVersion: string, kind: string): boolean {
    return this.byVersion.get(apiVersion)?.has(kind) ?? false;
  }
}
