/**
 * Progress of a command's pipelines on stderr. On a terminal: one bar per image with its stage and
 * percent, redrawn in place (ANSI cursor movement), fitted to the width, the final state left on screen.
 * Piped or redirected: a plain line each time an image moves on ("image 1/4: generate 15%").
 * @module
 */
import { isTerminal } from '../../core/pipelines/engine.js';
import type { PipelineRecord } from '../../core/pipelines/types.js';

export interface ProgressDisplay {
  update(record: PipelineRecord, index: number): void;
  /** Draws the final state and stops redrawing. */
  done(): void;
}

interface Row {
  label: string;
  percent: number;
  status: PipelineRecord['status'];
  startedAt: number;
  endedAt?: number;
}

/** The live terminal display, if one is drawn: other stderr lines go above it. */
let live: { clear(): void; draw(): void } | undefined;

/** Writes one line on stderr without tearing a progress display apart. */
export function stderrLine(line: string): void {
  if (!live) {
    process.stderr.write(`${line}\n`);
    return;
  }
  live.clear();
  process.stderr.write(`${line}\n`);
  live.draw();
}

export function createProgress(
  count: number,
  options: { enabled: boolean; stream?: NodeJS.WriteStream },
): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  if (!options.enabled || count === 0) return { update: () => {}, done: () => {} };
  const fancy = stream.isTTY === true && process.env.TERM !== 'dumb';
  return fancy ? terminalProgress(count, stream) : plainProgress(count, stream);
}

function labelOf(record: PipelineRecord): string {
  if (record.status === 'running') return record.stage ?? 'starting';
  if (record.status === 'completed') return 'done';
  return record.status;
}

function plainProgress(count: number, stream: NodeJS.WriteStream): ProgressDisplay {
  const last = new Map<number, string>();
  return {
    update(record, index) {
      const label = labelOf(record);
      if (label === 'starting' || last.get(index) === label) return;
      last.set(index, label);
      const percent = record.status === 'completed' ? 100 : record.progressPercent;
      const reason = record.status === 'failed' && record.errorCode ? ` (${record.errorCode})` : '';
      stream.write(`image ${index + 1}/${count}: ${label} ${percent}%${reason}\n`);
    },
    done() {},
  };
}

const REDRAW_MS = 100;

function terminalProgress(count: number, stream: NodeJS.WriteStream): ProgressDisplay {
  const started = Date.now();
  const rows: Row[] = Array.from({ length: count }, () => ({
    label: 'queued',
    percent: 0,
    status: 'queued',
    startedAt: started,
  }));
  let drawn = 0;
  let finished = false;

  const line = (row: Row, index: number): string => {
    const width = Math.max(20, (stream.columns || 80) - 1);
    const seconds = (((row.endedAt ?? Date.now()) - row.startedAt) / 1000).toFixed(1);
    const head = `image ${index + 1}/${count} `;
    const tail = ` ${String(row.percent).padStart(3)}% ${row.label} ${seconds}s`;
    const barWidth = Math.max(0, Math.min(30, width - head.length - tail.length - 2));
    const filled = Math.round((barWidth * row.percent) / 100);
    const bar = barWidth > 0 ? `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]` : '';
    return `${head}${bar}${tail}`.slice(0, width);
  };

  const display = {
    clear() {
      // Back to the first row, then erase to the end of the screen.
      if (drawn > 0) stream.write(`\r\x1b[${drawn}A\x1b[J`);
      drawn = 0;
    },
    draw() {
      const text = rows.map((row, i) => `\x1b[2K${line(row, i)}\n`).join('');
      stream.write(drawn > 0 ? `\r\x1b[${drawn}A${text}` : text);
      drawn = rows.length;
    },
  };
  live = display;
  display.draw();
  const timer = setInterval(() => display.draw(), REDRAW_MS);
  timer.unref();

  return {
    update(record, index) {
      const row = rows[index];
      if (!row || finished) return;
      if (row.status === 'queued' && record.status !== 'queued') row.startedAt = Date.now();
      row.status = record.status;
      row.label = labelOf(record);
      row.percent = record.status === 'completed' ? 100 : record.progressPercent;
      if (isTerminal(record)) row.endedAt ??= Date.now();
      display.draw();
    },
    done() {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      display.draw();
      if (live === display) live = undefined;
    },
  };
}
