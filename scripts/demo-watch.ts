/**
 * `make demo` (simulator stage): plays a seed story on the local Genesys simulator and narrates what a notification
 * subscriber sees, then prints the simulator's ground truth. Environment: DEMO_SCENARIO (default
 * tuesday-0900-ready-push), DEMO_SECONDS (default 120).
 */
import { allUserIds, api, openChannels, startSim, token } from '@lockstep/testkit';

const scenario = process.env.DEMO_SCENARIO ?? 'tuesday-0900-ready-push';
const seconds = Number(process.env.DEMO_SECONDS ?? '120');

interface Envelope {
  topicName: string;
  eventBody: Record<string, unknown>;
}
interface Truth {
  id: string;
  name: string;
  presence: { systemPresence: string };
  routingStatus: { status: string };
  station: { associated: boolean; healthy: boolean } | null;
}

const t0 = Date.now();
const stamp = () => `+${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;

function describe(env: Envelope, names: Map<string, string>): string | null {
  const m = /^v2\.users\.([^.]+)\.(.+)$/.exec(env.topicName);
  if (!m?.[1] || !m[2]) return null;
  const who = (names.get(m[1]) ?? m[1]).padEnd(18);
  const b = env.eventBody;
  switch (m[2]) {
    case 'presence': {
      const def = b.presenceDefinition as { systemPresence?: string } | undefined;
      return `${who} presence        ${def?.systemPresence ?? '?'}`;
    }
    case 'routingStatus': {
      const rs = b.routingStatus as { status?: string } | undefined;
      return `${who} routing status  ${rs?.status ?? '?'}`;
    }
    case 'station': {
      const st = b.associatedStation as { name?: string } | undefined;
      return `${who} station         ${st ? `associated (${st.name ?? ''})` : 'none'}`;
    }
    case 'workforcemanagement.adherence':
      return `${who} adherence       ${String(b.adherenceState)} (scheduled ${String(b.scheduledActivityCategory)})`;
    default:
      return null;
  }
}

console.log(`lockstep demo: scenario "${scenario}" on the Genesys simulator for ${seconds} s`);
const sim = await startSim({ scenario, env: { LOG_LEVEL: 'warn' } });
const stop = async () => {
  await sim.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
try {
  console.log(`simulator listening on ${sim.baseUrl}`);
  const bearer = await token(sim.baseUrl, 'lockstep-demo', 'lockstep-demo-secret');
  const ids = await allUserIds(sim.baseUrl, bearer);
  const names = new Map<string, string>();
  for (const truth of await sim.control<Truth[]>('GET', '/__sim/agents')) names.set(truth.id, truth.name);
  const topics = ids.map(
    (id) => `v2.users.${id}?presence&routingStatus&station&workforcemanagement.adherence`,
  );
  const channels = await openChannels(sim.baseUrl, bearer, topics, (data) => {
    const env = JSON.parse(data.toString()) as Envelope;
    const line = describe(env, names);
    if (line) console.log(`${stamp()}  ${line}`);
  });
  console.log(`watching ${ids.length} agents on ${channels.length} notification channel(s)\n`);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  for (const ch of channels) ch.socket.close();

  const truth = await sim.control<Truth[]>('GET', '/__sim/agents');
  const tally = new Map<string, number>();
  for (const a of truth) {
    const key = `${a.presence.systemPresence} / ${a.routingStatus.status}${a.station?.healthy === false ? ' / dead softphone' : ''}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  console.log('\nground truth at the end (presence / routing status):');
  for (const [key, n] of [...tally].sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(n).padStart(4)}  ${key}`);
  const stats = await api<unknown>(sim.baseUrl, sim.controlToken, 'GET', '/__sim/stats');
  console.log(`\nsimulator stats: ${JSON.stringify(stats)}`);
} finally {
  await sim.stop();
}
