'use client';

import { createContext } from 'react';
import type { AccountUpdate } from '@/lib/accounts/history-update';

/**
 * What an action's answer brings the page: `brings`, the version its command wrote (null when it
 * wrote nothing), rendered with the answer; or instead `update`, what that command changed, for the
 * page to show without a render (lib/accounts/history-update.ts).
 */
export type ActionAnswer = { brings: number | null; update: AccountUpdate | null };

/**
 * Between a page that follows its data live (the account page's LiveUpdates) and the forms on it: a
 * form says when its action starts, and when it ends what the action's answer brings. Meanwhile the
 * page holds back refreshing for the events the action caused: its answer shows them already.
 */
export type PageRenders = {
  /** The page shows an answer's `update` (the form asks for one: `takesUpdate`). */
  takesUpdates: boolean;
  actionStarted: () => (answer: ActionAnswer) => void;
};

/** No live page around the form: nothing to tell. */
export const PageRendersContext = createContext<PageRenders>({ takesUpdates: false, actionStarted: () => () => {} });
