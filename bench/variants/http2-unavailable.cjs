// Ablation variant J only (bench/ablation.ts), never deployed: stands in for node:http2 so that undici's HTTP/2 client,
// which catches a failing require('node:http2'), loads without it. Rejected; see bench/README.md.
throw new Error('node:http2 is not available in this build');
