import { postMortemReminder } from '../warroom/follow-up.js';
import type { Services } from './context.js';
import { scopeOf } from './scope.js';

/** The delayed post-mortem reminder: posts in the thread once, unless someone marked it scheduled. */
export async function remind(s: Services, id: string): Promise<void> {
  const rb = await s.store.get(id);
  if (!rb || rb.followUp?.postMortemScheduled || (await s.journal.marked(id, 'postmortem-reminded'))) return;
  const r = scopeOf(s, id);
  await r.thread(postMortemReminder(s, rb), { broadcast: true });
  await s.journal.mark(id, 'postmortem-reminded');
  await r.note({ type: 'note', message: 'Post-mortem reminder posted: nobody had marked it scheduled' });
}
