import type { Actor } from '@shared/event-log/event.types';
import { PermissionSet } from './permission-set.aggregate';
import { PermissionSetNameInvalidError } from './permission-set.errors';

const ada: Actor = { type: 'user', id: 'ada' };
const SET = '6c1d0000-0000-4000-8000-000000000001';
const I1 = '0b7f0000-0000-4000-8000-000000000001';
const I2 = '0b7f0000-0000-4000-8000-000000000002';

function stored(
  over: Partial<{ name: string; integrationIds: string[]; memberIds: string[] }> = {},
): PermissionSet {
  return PermissionSet.restore({
    id: SET,
    name: 'Support team',
    integrationIds: [I1],
    memberIds: ['alice'],
    ...over,
  });
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('PermissionSet', () => {
  it('create trims the name and records permissions.set.created', () => {
    const set = PermissionSet.create(SET, '  Support team ', ada);
    expect(set.state).toEqual({ id: SET, name: 'Support team', integrationIds: [], memberIds: [] });
    expect(set.pullEvents()).toEqual([
      {
        type: 'permissions.set.created',
        actor: ada,
        subject: { type: 'permission-set', id: SET },
        data: { permissionSetId: SET, name: 'Support team' },
      },
    ]);
    expect(set.pullEvents()).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['blank', ' \t\n '],
    ['101 characters', 'x'.repeat(101)],
    ['101 code points', '😀'.repeat(101)],
  ])('refuses a name that is %s with VALIDATION_FAILED', (_, name) => {
    expect(codeOf(() => PermissionSet.create(SET, name, ada))).toBe('VALIDATION_FAILED');
    expect(() => stored().rename(name, ada)).toThrow(PermissionSetNameInvalidError);
  });

  it('accepts 1 and 100 characters (code points, after trimming)', () => {
    expect(PermissionSet.create(SET, ' x ', ada).name).toBe('x');
    expect(PermissionSet.create(SET, `  ${'😀'.repeat(100)}  `, ada).name).toBe('😀'.repeat(100));
  });

  it('rename records renamed with from and to; the same name records nothing', () => {
    const set = stored();
    set.rename(' Support team ', ada);
    expect(set.hasChanges).toBe(false);
    set.rename('support team', ada); // case counts: another name
    expect(set.name).toBe('support team');
    expect(set.pullEvents()).toEqual([
      {
        type: 'permissions.set.changed',
        actor: ada,
        subject: { type: 'permission-set', id: SET },
        data: { permissionSetId: SET, kind: 'renamed', from: 'Support team', to: 'support team' },
        integrationId: null,
      },
    ]);
  });

  it('integrations: added and removed once each, carrying the integration for the log filter', () => {
    const set = stored();
    set.addIntegration(I1, ada); // already there
    set.removeIntegration(I2, ada); // not there
    expect(set.hasChanges).toBe(false);
    set.addIntegration(I2, ada);
    set.removeIntegration(I1, ada);
    expect(set.state.integrationIds).toEqual([I2]);
    expect(set.pullEvents()).toEqual([
      {
        type: 'permissions.set.changed',
        actor: ada,
        subject: { type: 'permission-set', id: SET },
        data: { permissionSetId: SET, kind: 'integration-added', integrationId: I2 },
        integrationId: I2,
      },
      {
        type: 'permissions.set.changed',
        actor: ada,
        subject: { type: 'permission-set', id: SET },
        data: { permissionSetId: SET, kind: 'integration-removed', integrationId: I1 },
        integrationId: I1,
      },
    ]);
  });

  it('members: added and removed once each', () => {
    const set = stored();
    set.addMember('alice', ada);
    set.removeMember('bob', ada);
    expect(set.hasChanges).toBe(false);
    set.addMember('bob', ada);
    set.removeMember('alice', ada);
    expect(set.state.memberIds).toEqual(['bob']);
    expect(set.pullEvents().map((e) => [e.data, e.integrationId])).toEqual([
      [{ permissionSetId: SET, kind: 'member-added', userId: 'bob' }, null],
      [{ permissionSetId: SET, kind: 'member-removed', userId: 'alice' }, null],
    ]);
  });

  it('delete records what the set held, in its order', () => {
    const set = stored({ integrationIds: [I2, I1], memberIds: ['bob', 'alice'] });
    set.delete(ada);
    expect(set.isDeleted).toBe(true);
    expect(set.pullEvents()).toEqual([
      {
        type: 'permissions.set.deleted',
        actor: ada,
        subject: { type: 'permission-set', id: SET },
        data: {
          permissionSetId: SET,
          name: 'Support team',
          integrationIds: [I2, I1],
          memberIds: ['bob', 'alice'],
        },
      },
    ]);
    expect(() => set.addMember('carol', ada)).toThrow(/deleted/);
  });

  it('restore copies the lists: changing the set does not change what it was restored from', () => {
    const state = { id: SET, name: 'n', integrationIds: [I1], memberIds: ['alice'] };
    PermissionSet.restore(state).addMember('bob', ada);
    expect(state.memberIds).toEqual(['alice']);
  });
});
