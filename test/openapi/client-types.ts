/**
 * Type-level checks of the client generated from the OpenAPI document (web/src/api/schema.d.ts,
 * `npm run api:generate`): compiled by `npm run typecheck`, so a generation that loses a route,
 * a field, a nullability or an error schema fails CI. No runtime part.
 */
import type { components, operations, paths } from '../../web/src/api/schema';

/** true when A and B are the same type (not merely assignable). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

type Schemas = components['schemas'];
type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;

type ListComments = paths['/api/v1/comments']['get'];
type Reply = paths['/api/v1/comments/{id}/replies']['post'];
type Policies = paths['/api/v1/integrations/tiktok/policies']['get'];
type Videos = paths['/api/v1/integrations/tiktok/{id}/videos'];
type Callback = paths['/api/v1/integrations/tiktok/callback']['get'];

export type ClientTypeChecks = [
  // the names a client is written with
  Assert<Equals<operations['listComments'], ListComments>>,
  Assert<Equals<operations['replyToComment'], Reply>>,
  // lists are {items, nextCursor}
  Assert<Equals<Json<ListComments['responses'][200]>, Schemas['CommentList']>>,
  Assert<Equals<Schemas['CommentList']['items'][number], Schemas['Comment']>>,
  Assert<Equals<Schemas['CommentList']['nextCursor'], string | null>>,
  // query parameters with their enums, all optional
  Assert<Equals<NonNullable<ListComments['parameters']['query']>['status'], 'unanswered' | 'answered' | 'all' | undefined>>,
  Assert<Equals<NonNullable<ListComments['parameters']['query']>['limit'], number | undefined>>,
  // a reply: text in, the posted comment (with optional warnings) out, Idempotency-Key optional
  Assert<Equals<NonNullable<Reply['requestBody']>['content']['application/json']['text'], string>>,
  Assert<Equals<Reply['parameters']['path']['id'], string>>,
  Assert<Equals<NonNullable<Reply['parameters']['header']>['Idempotency-Key'], string | undefined>>,
  Assert<Equals<Json<Reply['responses'][201]>['warnings'], Schemas['PostWarning'][] | undefined>>,
  // every error is the one ErrorResponse
  Assert<Equals<Json<Reply['responses'][400]>, Schemas['ErrorResponse']>>,
  Assert<Equals<Json<Reply['responses'][409]>, Schemas['ErrorResponse']>>,
  Assert<Equals<Json<ListComments['responses'][401]>, Schemas['ErrorResponse']>>,
  Assert<Equals<Schemas['ErrorResponse']['error']['details'], Schemas['ErrorDetail'][] | undefined>>,
  // nullable fields are nullable, TikTok ids are strings
  Assert<Equals<Schemas['Comment']['delivery'], Schemas['CommentDelivery'] | null>>,
  Assert<Equals<Schemas['Comment']['tiktokCommentId'], string | null>>,
  Assert<Equals<Schemas['Video']['tiktokVideoId'], string>>,
  Assert<Equals<Schemas['Video']['promoted'], boolean | null>>,
  Assert<Equals<Schemas['Integration']['status'], 'active' | 'reauth_required' | 'disconnected'>>,
  Assert<Equals<Schemas['Integration']['sync']['nextRunAt'], string | null>>,
  Assert<Equals<Schemas['CommentWithReplies']['replies'], Schemas['Comment'][]>>,
  // the text limit a UI counts down with
  Assert<Equals<Json<Policies['responses'][200]>['textLimit'], number>>,
  // add by URL answers 201 or 200 with a Video, 422 when TikTok does not list it
  Assert<Equals<Json<Videos['post']['responses'][201]>, Schemas['Video']>>,
  Assert<Equals<Json<Videos['post']['responses'][200]>, Schemas['Video']>>,
  Assert<Equals<Json<Videos['post']['responses'][422]>, Schemas['ErrorResponse']>>,
  Assert<Equals<Json<Videos['get']['responses'][200]>, Schemas['VideoList']>>,
  // the OAuth callback redirects
  Assert<Equals<keyof Callback['responses'], 302 | 400 | 500>>,
];
