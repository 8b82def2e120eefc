// import() of a package from any module of ours. `kube-preflight` runs the command line as one
// CommonJS bundle compiled through the code cache (src/cli.ts), and Node 20 gives code compiled that
// way (vm.Script) no import() of its own without --experimental-vm-modules. So the launcher lends its
// import() here; elsewhere (tests, a build that stopped after tsc) a module's own import() serves.
// Only packages published as ES modules alone need this (yargs): CommonJS ones are required.

const LENT = Symbol.for('kube-preflight.import');

type Importer = (specifier: string) => Promise<unknown>;

/** The package `name`, as `await import(name)` gives it. */
export function importPackage<T>(name: string): Promise<T> {
  const lent = (globalThis as { [LENT]?: Importer })[LENT];
  return (lent ? lent(name) : import(name)) as Promise<T>;
}

/** Lend importPackage() an import() that works here (the launcher's). */
export function lendImport(importer: Importer): void {
  (globalThis as { [LENT]?: Importer })[LENT] = importer;
}
