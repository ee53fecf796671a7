import { Connection } from '@temporalio/client';
(async () => {
  const connection = await Connection.connect({ address: '127.0.0.1:47233' });
  let maxAge = 0;
  for (let i = 0; i < 30; i++) {
    const tq = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: 'ops-appr' }, taskQueueType: 1 });
    const now = Date.now();
    const ages = (tq.pollers ?? []).map((p) => now - Number(p.lastAccessTime?.seconds) * 1000);
    maxAge = Math.max(maxAge, ...ages);
    console.log(i, ages.map((a) => Math.round(a / 1000)).join(','));
    await new Promise((r) => setTimeout(r, 5000));
  }
  console.log('max age s', maxAge / 1000);
  await connection.close();
})();
