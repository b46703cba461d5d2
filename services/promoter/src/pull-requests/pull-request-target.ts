/** One pull request per target: the write branch (head) into the branch the Application follows (base). */
export interface PullRequestTarget {
  /** `owner/repo` (GitLab: the project path). */
  repository: string;
  head: string;
  base: string;
  title: string;
  body: string;
}

/** What ensuring the pull request did. */
export interface PullRequestOutcome {
  action: 'opened' | 'updated';
  number: number;
  url: string;
}
