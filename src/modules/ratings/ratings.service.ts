import { sealStoredText } from './ratings.sealing.js';
import type { RatingsContext } from './ratings.context.js';
import {
  answerComplaint,
  complaint,
  complaintQueue,
  fileComplaint,
  intakeHotline,
  myComplaints,
  rateAnswer,
} from './ratings.complaints.js';
import { issueWindowLink, linkView, resolveLink } from './ratings.links.js';
import { deliverDue } from './ratings.outbox.js';
import { myRatings, padView, rate, ratingsOfCase, ratingsOfCases } from './ratings.rate.js';
import { rectification, rectificationQueue, stepRectification } from './ratings.rectify.js';
import { monthlyResults } from './ratings.results.js';
import * as st from './ratings.store.js';

type Bound<F> = F extends (ctx: RatingsContext, ...args: infer A) => infer R ? (...args: A) => R : never;
const bind =
  <F extends (ctx: RatingsContext, ...args: never[]) => unknown>(ctx: RatingsContext, f: F) =>
  (...a: Parameters<Bound<F>>) =>
    (f as unknown as (c: RatingsContext, ...x: unknown[]) => unknown)(ctx, ...(a as unknown[])) as ReturnType<
      Bound<F>
    >;

/** The ratings use cases, each bound to one context: what routes, pages and tests call. */
export function createRatingsService(ctx: RatingsContext) {
  return {
    rate: bind(ctx, rate),
    myRatings: bind(ctx, myRatings),
    ratingsOfCase: bind(ctx, ratingsOfCase),
    ratingsOfCases: bind(ctx, ratingsOfCases),
    padView: bind(ctx, padView),
    resolveLink: bind(ctx, resolveLink),
    issueWindowLink: bind(ctx, issueWindowLink),
    linkView: bind(ctx, linkView),
    rectification: bind(ctx, rectification),
    rectificationQueue: bind(ctx, rectificationQueue),
    stepRectification: bind(ctx, stepRectification),
    fileComplaint: bind(ctx, fileComplaint),
    intakeHotline: bind(ctx, intakeHotline),
    complaint: bind(ctx, complaint),
    myComplaints: bind(ctx, myComplaints),
    complaintQueue: bind(ctx, complaintQueue),
    answerComplaint: bind(ctx, answerComplaint),
    rateAnswer: bind(ctx, rateAnswer),
    monthlyResults: bind(ctx, monthlyResults),
    deliverDue: (log: Parameters<typeof deliverDue>[1], f?: typeof fetch) => deliverDue(ctx, log, f),
    countRatings: () => st.countRatings(ctx.db),
    /** first ratings of cases a hall received, given in [from, to): level, channel, window, clerk */
    ratingsOfHall: (hallId: string, from: string, to: string) => st.ratingsOfHall(ctx.db, hallId, from, to),
    deliveryOf: (n: string) => st.deliveryOf(ctx.db, n),
    /** the free text still stored in clear sealed (the upgrade step; `tongban ratings seal-text`) */
    sealStoredText: () => sealStoredText(ctx.db, ctx.text),
    context: ctx,
  };
}

export type RatingsService = ReturnType<typeof createRatingsService>;
