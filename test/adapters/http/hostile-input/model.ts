import type { ValidPlan } from './plans.js';

// The model: what the test knows the store holds, from the valid requests it made.

export interface ModelUser {
  /** Normalised. */
  readonly email: string;
  password: string;
  resetToken: string | null;
  /** Raw session tokens, as the cookie carries them. */
  sessions: string[];
}

export class World {
  users: ModelUser[] = [];
  private registered = 0;
  private readonly tag = Math.random().toString(36).slice(2, 8);

  freshEmail(): string {
    this.registered += 1;
    return `user${this.registered}.${this.tag}@example.com`;
  }

  pick(index: number, where: (user: ModelUser) => boolean = () => true): ModelUser | undefined {
    const candidates = this.users.filter(where);
    return candidates.length === 0 ? undefined : candidates[index % candidates.length];
  }

  /** A request not predicted by the model changed these users: stop predicting anything about them. */
  forget(users: Iterable<ModelUser>): void {
    const gone = new Set(users);
    this.users = this.users.filter((user) => !gone.has(user));
  }
}

export function styled(email: string, style: ValidPlan['emailStyle']): string {
  if (style === 'upper') return email.toUpperCase();
  if (style === 'spaced') return ` \t${email} `;
  return email;
}
