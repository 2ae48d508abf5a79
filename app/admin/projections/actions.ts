'use server';

import { revalidatePath } from 'next/cache';
import { recordAdminAction } from '@/lib/admin/audit-log';
import { requireAdmin } from '@/lib/admin/require-admin';
import { withPgClient } from '@/lib/db/pg-client';
import {
  PROJECTIONS,
  rebuildProjection,
  verifyProjection,
  type ProjectionName,
  type Verification,
} from '@/lib/projections/rebuild';

export type ProjectionActionState =
  | { status: 'idle' }
  | { status: 'verified'; verification: Verification; at: string }
  | { status: 'rebuilt'; rows: number; verification: Verification; at: string }
  | { status: 'error'; message: string };

const known = (name: unknown): name is ProjectionName => PROJECTIONS.includes(name as ProjectionName);

export async function projectionAction(
  _previous: ProjectionActionState,
  form: FormData,
): Promise<ProjectionActionState> {
  const admin = await requireAdmin();
  const name = form.get('projection');
  const operation = form.get('operation');
  if (!known(name)) return { status: 'error', message: `Unknown projection "${String(name).slice(0, 50)}".` };
  try {
    if (operation === 'verify')
      return {
        status: 'verified',
        verification: await withPgClient((c) => verifyProjection(c, name)),
        at: new Date().toISOString(),
      };
    if (operation === 'rebuild') {
      const { rows } = await withPgClient((c) => rebuildProjection(c, name));
      await recordAdminAction(admin, 'projection.rebuild', name, `${rows} rows rebuilt`);
      const verification = await withPgClient((c) => verifyProjection(c, name));
      revalidatePath('/admin/projections');
      return { status: 'rebuilt', rows, verification, at: new Date().toISOString() };
    }
    return { status: 'error', message: 'Choose Verify or Rebuild.' };
  } catch (error) {
    return { status: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}
