/**
 * `npm run serve --demo` (no `--`) hands --demo to npm itself, which turns it into npm_config_demo; the
 * script then never sees it. Says what was meant instead of failing on a missing WECHAT_TOKEN.
 */
export function swallowedByNpm(flag: string, script: string, env = process.env): string | undefined {
  if (env[`npm_config_${flag.replace(/-/g, "_")}`] !== "true") return undefined;
  return (
    `看起来你运行的是 npm run ${script} --${flag}：npm 把 --${flag} 当成了自己的参数。请写成 npm run ${script} -- --${flag}\n` +
    `(npm took --${flag} for itself: run \`npm run ${script} -- --${flag}\`)`
  );
}
