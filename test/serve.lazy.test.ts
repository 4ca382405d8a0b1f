/** The server's dependencies load only with the server: `require('heatbath')` stays light for scripts and workers. */
import { execFileSync } from 'child_process';
import * as path from 'path';

test("require('heatbath') loads neither fastify nor prom-client nor lib/serve", () => {
  const root = path.resolve(__dirname, '..');
  const script = `require(${JSON.stringify(path.join(root, 'dist', 'lib'))});
console.log(Object.keys(require.cache).filter((k) => /node_modules[\\\\/](fastify|@fastify|prom-client)|dist[\\\\/]lib[\\\\/]serve[\\\\/]/.test(k)).length);`;
  expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim()).toBe('0');
  const loaded = `require(${JSON.stringify(path.join(root, 'dist', 'lib', 'serve', 'server'))});
console.log(['fastify', 'prom-client'].every((m) => Object.keys(require.cache).some((k) => k.includes('node_modules/' + m + '/'))));`;
  expect(execFileSync(process.execPath, ['-e', loaded], { encoding: 'utf8' }).trim()).toBe('true');
});
