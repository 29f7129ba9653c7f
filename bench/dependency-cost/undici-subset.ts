// bench/dependency-cost.ts: the part of undici the API client loads (lib/hiringcenter/agent.ts: the Agent and the
// request API, not the package's index) and one GET to the sandbox.
import AgentClass from 'undici/lib/dispatcher/agent.js';
import apiRequest from 'undici/lib/api/api-request.js';

let agent: InstanceType<typeof AgentClass> | undefined;

export const handler = async (): Promise<{ status: number }> => {
  agent ??= new AgentClass({ allowH2: false });
  const base = new URL(process.env.HIRINGCENTER_BASE_URL ?? 'http://127.0.0.1/v2');
  const response = await apiRequest.call(agent, { origin: base.origin, path: `${base.pathname}/auth`, method: 'GET' });
  await response.body.text();
  return { status: response.statusCode };
};
