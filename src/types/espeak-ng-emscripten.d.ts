declare module '@echogarden/espeak-ng-emscripten' {
  const factory: (moduleArg?: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}
