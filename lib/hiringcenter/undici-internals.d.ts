// Types for the two undici internals that agent.ts imports directly. Importing the package root would load all of
// undici (fetch, WebSocket, cache, MockAgent...): about 740 KB bundled and ~80 ms to load, versus ~480 KB / ~45 ms
// for these two files. undici has no "exports" map, so the paths are reachable; test/unit/client-agent.test.ts
// checks that they still resolve to the same classes as the public entry point after an upgrade.
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';
  const AgentClass: typeof Agent;
  export default AgentClass;
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  /** The implementation behind `Dispatcher.prototype.request`; call it with the dispatcher as `this`. */
  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export default request;
}
