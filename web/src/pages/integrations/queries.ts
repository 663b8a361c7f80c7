import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { api, ok, shape } from '../../api/client';
import type {
  ConnectStarted,
  Integration,
  Page,
  PermissionSet,
  Policies,
  Video,
} from '../../api/contract';

export const keys = {
  policies: ['policies'] as const,
  integrations: ['integrations'] as const,
  permissionSets: ['permission-sets'] as const,
  videos: (integrationId: string) => ['videos', integrationId] as const,
};

export const usePolicies = (enabled: boolean) =>
  useQuery({
    queryKey: keys.policies,
    queryFn: () => ok(api.GET('/api/v1/integrations/tiktok/policies'), shape<Policies>()),
    enabled,
  });

export const useIntegrations = () =>
  useQuery({
    queryKey: keys.integrations,
    queryFn: () => ok(api.GET('/api/v1/integrations/tiktok'), shape<Page<Integration>>()),
    // sync progress moves by itself: keep it current while the page is open
    refetchInterval: 10_000,
  });

export const usePermissionSets = (enabled: boolean) =>
  useQuery({
    queryKey: keys.permissionSets,
    queryFn: () => ok(api.GET('/api/v1/permission-sets'), shape<Page<PermissionSet>>()),
    enabled,
  });

export const VIDEO_PAGE = 20;

export const useVideos = (integrationId: string | null) =>
  useInfiniteQuery({
    queryKey: keys.videos(integrationId ?? ''),
    enabled: !!integrationId,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      ok(
        api.GET('/api/v1/integrations/tiktok/{id}/videos', {
          params: {
            path: { id: integrationId! },
            query: { limit: VIDEO_PAGE, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
        shape<Page<Video>>(),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // the sync imports videos after the page first asked (a new account's backfill): look again
    refetchInterval: 10_000,
  });

/** The account's name as people know it. */
export const accountName = (i: Pick<Integration, 'username' | 'displayName'>): string =>
  i.username ? `@${i.username}` : i.displayName;

/** Asks the service for TikTok's consent URL (setting the state cookie in this browser) and goes there. */
export function useConnect() {
  return useMutation({
    mutationFn: (policyVersion: string) =>
      ok(
        api.POST('/api/v1/integrations/tiktok/connect', {
          body: { acceptPolicies: true, policyVersion },
        }),
        shape<ConnectStarted>(),
      ),
    onSuccess: (started) => window.location.assign(started.authorizeUrl),
  });
}
