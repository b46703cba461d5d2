import { useQuery } from '@tanstack/react-query';
import { api, segment, type UserInfo } from '../api/client.ts';

export function useUserInfo() {
  return useQuery({ queryKey: ['userinfo'], queryFn: () => api<UserInfo>('/api/v1/session/userinfo'), retry: false, staleTime: 60_000 });
}

export interface Permission {
  resource: string;
  action: string;
  object: string;
}

/** Asks the API whether the caller may do an action (`can-i`); the answer explains a disabled button. */
export function useCanI(permission: Permission | undefined) {
  const query = useQuery({
    queryKey: ['can-i', permission?.resource, permission?.action, permission?.object],
    queryFn: () => api<{ value: 'yes' | 'no' }>(`/api/v1/account/can-i/${segment(permission!.resource)}/${segment(permission!.action)}/${segment(permission!.object)}`),
    enabled: permission !== undefined,
    staleTime: 60_000,
  });
  const allowed = query.data?.value === 'yes';
  const reason = !permission ? undefined
    : query.isPending ? 'checking your permissions…'
      : allowed ? undefined
        : `your roles do not allow ${permission.resource}, ${permission.action} on ${permission.object}`;
  return { allowed, reason };
}
