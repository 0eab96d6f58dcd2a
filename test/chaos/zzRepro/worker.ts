import { Worker, NativeConnection } from '@temporalio/worker';
async function main() {
  const nc = await NativeConnection.connect({ address: process.env.ADDR! });
  const w = await Worker.create({ connection: nc, taskQueue: 'repro', workflowsPath: require.resolve('./workflows'), activities: { slow: async () => { await new Promise((r) => setTimeout(r, 100)); return 'ok'; } } });
  console.log('WORKER UP');
  await w.run();
}
void main();
