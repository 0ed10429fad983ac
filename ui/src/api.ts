// Typed wrappers of the app's commands and events. Tokens never come here.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

export interface AppError {
  kind: string;
  message: string;
}

export interface SessionView {
  state: 'starting' | 'signedIn' | 'signedOut';
  persistent: boolean;
  reason: string | null;
  demo: boolean;
}

export interface Track {
  name?: string;
  artist?: { name: string };
  album?: { name: string };
}

export interface GroupView {
  group: { id: string; name: string; coordinatorId: string; playerIds: string[] };
  players: { player: { id: string; name: string }; volume: { volume: number; muted?: boolean; fixed?: boolean } }[];
  playback: { playbackState: string };
  metadata: {
    container?: { name?: string; type?: string };
    currentItem?: { track?: Track };
    streamInfo?: string;
  };
  volume: { volume: number; muted?: boolean; fixed?: boolean };
}

export interface HouseholdView {
  id: string;
  groups: GroupView[];
}

export const api = {
  sessionState: () => invoke<SessionView>('session_state'),
  signIn: () => invoke<SessionView>('session_sign_in'),
  signOut: () => invoke<SessionView>('session_sign_out'),
  households: () => invoke<HouseholdView[]>('household_snapshot'),
  toggle: (group: string) => invoke<void>('playback_toggle', { group }),
};

export const onSession = (f: (s: SessionView) => void): Promise<UnlistenFn> =>
  listen<SessionView>('session', (e) => f(e.payload));

export const onProblem = (f: (e: AppError) => void): Promise<UnlistenFn> =>
  listen<AppError>('problem', (e) => f(e.payload));
