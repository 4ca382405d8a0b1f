// Requests from another process (so their cost does not land on the server's event loop): `concurrency`
// clients POST `body` to `url` for `seconds`, then the statuses are printed as JSON.
const [url, body, concurrency, seconds, accept] = process.argv.slice(2);
const until = Date.now() + Number(seconds) * 1000;
const statuses = {};
async function client() {
  while (Date.now() < until) {
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', accept } });
    await res.arrayBuffer();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  }
}
Promise.all(Array.from({ length: Number(concurrency) }, client)).then(() => console.log(JSON.stringify(statuses)));
