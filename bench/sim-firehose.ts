/**
 * Simulator firehose benchmark: one simulator process with 10,000 agents; a raw `ws` subscriber counts the events it
 * receives per second at increasing firehose rates. Prints a markdown table for docs/benchmarks.md.
 *
 *   npx tsx --conditions=@lockstep/source bench/sim-firehose.ts [--seconds 10]
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';

import { allUserIds, openChannels, startSim, token } from '@lockstep/testkit';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' } } });
const seconds = Number(values.seconds);
const rates = [5_000, 20_000, 50_000, 80_000, 120_000];

function rssMiB(pid: number): number {
  const kb = Number(
    execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
      .toString()
      .trim(),
  );
  return Math.round(kb / 1024);
}

function cpuSeconds(pid: number): number {
  // utime + stime in clock ticks (fields 14 and 15 of /proc/<pid>/stat)
  const stat = execFileSync('cat', [`/proc/${pid}/stat`]).toString();
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const sim = await startSim({ scenario: 'firehose-10k', startTimeoutMs: 120_000 });
try {
  const bearer = await token(sim.baseUrl, 'lockstep-demo', 'lockstep-demo-secret');
  const ids = await allUserIds(sim.baseUrl, bearer);
  let events = 0;
  const channels = await openChannels(
    sim.baseUrl,
    bearer,
    ids.map((id) => `v2.users.${id}?presence&routingStatus&activity&workforcemanagement.adherence`),
    () => {
      events++;
    },
  );
  const rows: string[] = [];
  for (const rate of rates) {
    await sim.control('POST', '/__sim/actions', { type: 'firehose', eventsPerSecond: rate });
    await new Promise((r) => setTimeout(r, 2_000));
    const startEvents = events;
    const startCpu = cpuSeconds(sim.pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1_000));
    const elapsed = (performance.now() - t0) / 1_000;
    const received = (events - startEvents) / elapsed;
    const cpu = (cpuSeconds(sim.pid) - startCpu) / elapsed;
    rows.push(
      `| ${rate.toLocaleString('en-US')} | ${Math.round(received).toLocaleString('en-US')} | ${(cpu * 100).toFixed(0)} % | ${rssMiB(sim.pid)} |`,
    );
    console.error(`rate ${rate}: received ${Math.round(received)}/s, sim cpu ${(cpu * 100).toFixed(0)}%`);
  }
  for (const ch of channels) ch.socket.close();
  console.log(
    `agents: ${ids.length}, channels: ${channels.length}, window: ${seconds} s, cores: ${cpus().length}`,
  );
  console.log(
    '| firehose target (events/s) | received by one ws subscriber (events/s) | simulator CPU | simulator RSS (MiB) |',
  );
  console.log('|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
} finally {
  await sim.stop();
}
