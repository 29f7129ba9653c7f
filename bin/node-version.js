// Plain JavaScript on purpose: it must run on the old Node it is there to turn away.
/** The sentence for a Node.js too old to strip TypeScript types, or undefined when `version` will do. */
export function tooOldNodeMessage(version, argv = []) {
  const [major = 0, minor = 0] = String(version).split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 18)) return undefined;
  return (
    `hc-workflow needs Node.js 22.18 or later (it runs its TypeScript sources directly); this is Node.js ${version}.\n` +
    'Install Node.js 22 or 24 (https://nodejs.org, or: nvm install 22), or run it once without installing:\n' +
    `  npx -y node@22 bin/hc-workflow.js ${argv.join(' ')}\n`
  );
}
