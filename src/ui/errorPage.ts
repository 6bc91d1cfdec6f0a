/**
 * Any error on the dashboard as a page: the status from core/errorPresentation.httpAnswer (the one mapping
 * of errors to HTTP statuses), the error's own message when it is one of ours, only a reference when not.
 * @module
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { httpAnswer } from '../core/errorPresentation.js';
import type { Logger } from '../core/logger.js';
import { withReference } from '../core/requestContext.js';
import { messagePage } from './pages/messages.js';
import type { Viewer } from './viewer.js';

/** Titles of the dashboard's error pages, by status (core/errorPresentation decides the status). */
const ERROR_TITLES: Record<number, string> = {
  400: 'Please check',
  403: 'Not allowed',
  404: 'Not found',
  429: 'Please wait',
};

/** Any error as a dashboard page: the status from httpAnswer; an internal error shows only its reference. */
export function dashboardError(
  error: Error,
  c: Context,
  viewer: Viewer | undefined,
  log: Logger,
): Response | Promise<Response> {
  const answer = httpAnswer(error, { masked: true });
  if (answer.internal) log.error({ err: error, path: c.req.path }, 'dashboard request failed');
  else if (answer.status >= 500) log.warn({ err: error, path: c.req.path }, 'dashboard request failed');
  const known = !answer.internal;
  return c.html(
    messagePage(
      viewer,
      (known && ERROR_TITLES[answer.status]) || 'Something went wrong',
      known ? error.message : withReference('Try again; the server log has the details'),
    ),
    answer.status as ContentfulStatusCode,
    answer.headers,
  );
}
