// The process-wide keep-alive dispatcher. Deep imports keep fetch, WebSocket, the caches and MockAgent out of the
// Lambda bundle (see undici-internals.d.ts); nothing is constructed until the first request.
import AgentClass from 'undici/lib/dispatcher/agent.js';
import apiRequest from 'undici/lib/api/api-request.js';
import type { Dispatcher } from 'undici';

export const DEFAULT_TIMEOUTS = Object.freeze({ connectMs: 3000, headersMs: 10_000, bodyMs: 10_000 });

/**
 * How long an idle socket is kept when the server sends no `Keep-Alive: timeout=` hint. Below the usual 5-60 s idle
 * timeout of load balancers, so a warm Lambda rarely picks a socket the server has already closed.
 */
const KEEP_ALIVE_MS = 4_000;

/**
 * The connect timeout belongs to the connector, not to a request, so it is fixed per Agent. Clients that keep the
 * default (all production code) share one Agent; a client with another `connectMs` gets a shared Agent for that value.
 */
const sharedAgents = new Map<number, Dispatcher>();

export function getSharedAgent(connectMs: number = DEFAULT_TIMEOUTS.connectMs): Dispatcher {
  let agent = sharedAgents.get(connectMs);
  if (agent === undefined) {
    agent = new AgentClass({
      connect: { timeout: connectMs },
      headersTimeout: DEFAULT_TIMEOUTS.headersMs,
      bodyTimeout: DEFAULT_TIMEOUTS.bodyMs,
      keepAliveTimeout: KEEP_ALIVE_MS,
      // HTTP/1.1 only: the API does not document HTTP/2, and one predictable failure mode (socket errors) is easier
      // to map than GOAWAY/stream resets.
      allowH2: false,
    });
    sharedAgents.set(connectMs, agent);
  }
  return agent;
}

/** Closes the shared Agents (CLI shutdown, benchmarks). The next request creates a fresh one. */
export async function closeSharedAgents(): Promise<void> {
  const agents = [...sharedAgents.values()];
  sharedAgents.clear();
  await Promise.all(agents.map((agent) => agent.close()));
}

/** `dispatcher.request(options)` without relying on undici's root module having patched Dispatcher.prototype. */
export function sendRequest(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return apiRequest.call(dispatcher, options);
}
