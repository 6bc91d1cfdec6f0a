/**
 * Runs the engine's sweep now and then (with jitter, so instances started together do not sweep
 * together): pipelines left queued or running after their job ended are settled, and those that lost
 * their job are queued again. One sweep at a time; a failed sweep waits for the next turn.
 * @module
 */
import type { Logger } from '../logger.js';

export function startSweeper(options: {
  everyMs: number;
  sweep: () => Promise<{ resumed: number; failed: number }>;
  log: Pick<Logger, 'info' | 'warn'>;
}): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const next = () => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        options
          .sweep()
          .then((found) => {
            if (found.resumed + found.failed > 0) options.log.info(found, 'sweep settled pipelines left without a job');
          })
          .catch((err) => options.log.warn({ err }, 'pipeline sweep failed; trying again later'))
          .finally(next);
      },
      options.everyMs * (0.75 + Math.random() / 2),
    );
    timer.unref();
  };
  next();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
