/**
 * 好差评 (ratings), 差评整改 (rectification) and 政民互动 (complaints, enquiries, suggestions and
 * the 12345 hotline intake). Events written: see ratings.events.ts (types and payloads).
 */
export {
  RATINGS_EVENTS,
  type CallbackRecordedPayload,
  type ComplaintAnsweredPayload,
  type ComplaintFiledPayload,
  type ComplaintKind,
  type RatedPayload,
  type RatingChannel,
  type RatingLevel,
  type RatingStage,
  type RectificationClosedPayload,
  type RectificationOpenedPayload,
  type RectificationOutcome,
} from './ratings.events.js';
