// bench/dependency-cost.ts: the minimal baseline of `npm run bench` (bench/baselines/minimal.ts), the I/O every step must
// do and nothing else. The step rows below are compared with it.
export { handler } from '../baselines/minimal.ts';
