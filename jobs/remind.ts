import { remindPostMortem } from '../src/service/follow-up.js';
import type { WorkerServices } from './context.js';

/** The delayed post-mortem reminder: posts in the thread once, unless someone marked it scheduled. */
export async function remindJob(x: WorkerServices, id: string): Promise<void> {
  const rb = await x.store.get(id);
  if (!rb || (await x.journal.marked(id, 'postmortem-reminded'))) return;
  if (!(await remindPostMortem(x, rb))) return;
  await x.journal.mark(id, 'postmortem-reminded');
  await x.store.note(id, { type: 'note', message: 'Post-mortem reminder posted: nobody had marked it scheduled' });
}
