import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000001Foundation } from './Migration20261125000001_foundation';
import { Migration20261125000002TikTokRateBudget } from './Migration20261125000002_tiktok_rate_budget';
import { Migration20261125000003IntegrationsPermissions } from './Migration20261125000003_integrations_permissions';
import { Migration20261125000004VideosComments } from './Migration20261125000004_videos_comments';
import { Migration20261125000005SyncWebhooks } from './Migration20261125000005_sync_webhooks';
import { Migration20261125000006UnmatchedPosts } from './Migration20261125000006_unmatched_posts';
import { Migration20261125000007VideoSweeps } from './Migration20261125000007_video_sweeps';
import { Migration20261125000008SealWithoutFk } from './Migration20261125000008_seal_without_fk';
import { Migration20261203000009CommentVideoCheck } from './Migration20261203000009_comment_video_check';
import { Migration20261203000010UuidV7 } from './Migration20261203000010_uuid_v7';
import { Migration20261203000011IntegrationCounts } from './Migration20261203000011_integration_counts';
import { Migration20261203000012Tiktok2026Fields } from './Migration20261203000012_tiktok_2026_fields';

/**
 * Every migration, in order. Listed explicitly (not globbed) so the compiled service, ts tests and
 * scripts all run the same set. Committed migrations are never edited: add a new one.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261125000001_foundation', class: Migration20261125000001Foundation },
  {
    name: 'Migration20261125000002_tiktok_rate_budget',
    class: Migration20261125000002TikTokRateBudget,
  },
  {
    name: 'Migration20261125000003_integrations_permissions',
    class: Migration20261125000003IntegrationsPermissions,
  },
  { name: 'Migration20261125000004_videos_comments', class: Migration20261125000004VideosComments },
  { name: 'Migration20261125000005_sync_webhooks', class: Migration20261125000005SyncWebhooks },
  { name: 'Migration20261125000006_unmatched_posts', class: Migration20261125000006UnmatchedPosts },
  { name: 'Migration20261125000007_video_sweeps', class: Migration20261125000007VideoSweeps },
  { name: 'Migration20261125000008_seal_without_fk', class: Migration20261125000008SealWithoutFk },
  {
    name: 'Migration20261203000009_comment_video_check',
    class: Migration20261203000009CommentVideoCheck,
  },
  { name: 'Migration20261203000010_uuid_v7', class: Migration20261203000010UuidV7 },
  {
    name: 'Migration20261203000011_integration_counts',
    class: Migration20261203000011IntegrationCounts,
  },
  {
    name: 'Migration20261203000012_tiktok_2026_fields',
    class: Migration20261203000012Tiktok2026Fields,
  },
];
