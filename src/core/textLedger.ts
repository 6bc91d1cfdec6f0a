/**
 * Text-model calls (prompt engineering, concepts) in the cost ledger: a decorator around the JSON
 * generator that writes one row per successful call made for someone (`billing`). Their list price is
 * not in the model registry (it depends on the text model chosen), so it comes from the configuration;
 * without it the row records the tokens at a cost of 0.
 * @module
 */

import { randomUUID } from 'node:crypto';
import type { JsonGenerator } from './pipelines/types.js';
import type { SpendingRepository, TokenUsage } from './ports.js';
import { telemetry } from './telemetry.js';

export interface TextPrices {
  /** USD per million input tokens. */
  inputPerMillion: number;
  /** USD per million output tokens (thinking included). */
  outputPerMillion: number;
}

export function withTextLedger(
  text: {
    generateJson(
      request: Parameters<JsonGenerator['generateJson']>[0],
    ): Promise<{ value: unknown; usage?: TokenUsage }>;
  },
  options: {
    ledger: SpendingRepository;
    prices?: TextPrices;
    /** Gemini is the built-in emulator: the calls are free and marked so in the ledger. */
    emulated?: boolean;
    now?: () => Date;
    log: { warn(obj: object, msg: string): void };
  },
): JsonGenerator {
  return {
    async generateJson(request) {
      const result = await text.generateJson(request);
      const { billing } = request;
      if (billing && result.usage) {
        const usage = result.usage;
        const output = usage.candidatesTokens + usage.thoughtsTokens;
        const costUsd = options.prices
          ? (usage.promptTokens * options.prices.inputPerMillion + output * options.prices.outputPerMillion) / 1e6
          : 0;
        // A bookkeeping failure must not fail the call the person is waiting for.
        await options.ledger
          .settle(
            `led_${randomUUID()}`,
            {
              ownerId: billing.ownerId,
              kind: 'text',
              modelId: request.model,
              modelAlias: request.model,
              imageSize: null,
              promptTokens: usage.promptTokens,
              imageTokens: 0,
              thoughtsTokens: usage.thoughtsTokens,
              totalTokens: usage.totalTokens,
              costUsd,
              pipelineId: billing.pipelineId,
              imageId: null,
              createdAt: (options.now?.() ?? new Date()).toISOString(),
              ...(options.emulated ? { emulated: true } : {}),
            },
            false,
          )
          .then(() => telemetry().count('spend_usd_total', { model: request.model }, costUsd))
          .catch((err) => options.log.warn({ err, owner: billing.ownerId }, 'text call not written to the ledger'));
      }
      return result;
    },
  };
}
