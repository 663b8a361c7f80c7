/** The TikTok client: inject `TIKTOK_API` (type `TikTokApi`) and branch on `TikTokError.kind`. */
export * from './tiktok-api.port';
export { TikTokError, isTikTokError, type TikTokErrorKind } from './tiktok-error';
export { TikTokModule } from './tiktok.module';
export { parseJsonLossless } from './lossless-json';
export { withFieldFallback } from './field-fallback';
