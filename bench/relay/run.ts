// `npm run bench:relay`: the throughput benchmark (relay against a bare forwarder, bench/relay/throughput.ts), or with
// `scale` first the scale figures: connections per process, transfers under load, a restart storm (bench/relay/scale.ts).
const [command] = process.argv.slice(2);
export {};
if (command === 'scale') await import('./scale');
else await import('./throughput');
