/**
 * Post the comparison as a pull-request comment, or update the one posted before: the comment is
 * found by a hidden marker, so each push edits one comment instead of adding another.
 *
 *   GITHUB_TOKEN=... node --import tsx scripts/pr-comment.ts --repo OWNER/NAME --pr N \
 *     --body-file compare.md [--marker guardbench-compare] [--link URL]
 *
 * Talks to the REST API with fetch (Node 20), so CI needs no action beyond checkout and Node. A
 * missing body file (the benchmark failed before comparing) posts a short failure note instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { GITHUB_COMMENT_LIMIT } from '../src/report/markdown.js';

export interface IssueComment {
  id: number;
  body?: string | null;
}

/** The three calls this needs; fetchApi implements them, tests fake them. */
export interface CommentApi {
  listComments(page: number): Promise<IssueComment[]>;
  createComment(body: string): Promise<IssueComment>;
  updateComment(id: number, body: string): Promise<IssueComment>;
}

export function markerLine(marker: string): string {
  return `<!-- ${marker} -->`;
}

/**
 * Fit a body under GitHub's limit: whole sections are kept while they fit (the folded tables come
 * last in compare.md, so the verdict and the regressed rows survive), and a note says what was cut.
 */
export function fitComment(body: string, limit = GITHUB_COMMENT_LIMIT, link?: string): string {
  if (body.length <= limit) return body;
  const note = (n: number) => `\n\n_${n} folded section${n > 1 ? 's' : ''} cut to fit a GitHub comment${link ? `; the full report is in the [workflow artifacts](${link})` : '; the full report is in the workflow artifacts'}._\n`;
  const parts = body.split(/(?=\n<details>)/);
  let out = '';
  let kept = 0;
  for (const part of parts) {
    if (out.length + part.length + note(parts.length - kept).length > limit) break;
    out += part;
    kept++;
  }
  if (kept === 0) out = body.slice(0, limit - note(1).length - 1);
  return out + note(Math.max(1, parts.length - kept));
}

/** Create or update the marked comment; returns what was done. */
export async function upsertComment(api: CommentApi, marker: string, body: string): Promise<{ action: 'created' | 'updated'; id: number }> {
  const full = `${markerLine(marker)}\n${body}`;
  for (let page = 1; page < 100; page++) {
    const comments = await api.listComments(page);
    const mine = comments.find((c) => c.body?.includes(markerLine(marker)));
    if (mine) return { action: 'updated', id: (await api.updateComment(mine.id, full)).id };
    if (comments.length < 100) break;
  }
  return { action: 'created', id: (await api.createComment(full)).id };
}

/** The GitHub REST API through fetch. */
export function fetchApi(token: string, repo: string, pr: number, base = 'https://api.github.com'): CommentApi {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    return res.json();
  };
  return {
    listComments: async (page) => (await call('GET', `/repos/${repo}/issues/${pr}/comments?per_page=100&page=${page}`)) as IssueComment[],
    createComment: async (body) => (await call('POST', `/repos/${repo}/issues/${pr}/comments`, { body })) as IssueComment,
    updateComment: async (id, body) => (await call('PATCH', `/repos/${repo}/issues/comments/${id}`, { body })) as IssueComment,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      repo: { type: 'string' },
      pr: { type: 'string' },
      'body-file': { type: 'string' },
      marker: { type: 'string', default: 'guardbench-compare' },
      link: { type: 'string' },
    },
  });
  const token = process.env.GITHUB_TOKEN;
  const pr = Number(values.pr);
  if (!token || !values.repo || !/^[\w.-]+\/[\w.-]+$/.test(values.repo) || !Number.isInteger(pr) || pr <= 0 || !values['body-file']) {
    console.error('usage: GITHUB_TOKEN=... pr-comment.ts --repo OWNER/NAME --pr N --body-file FILE [--marker NAME] [--link URL]');
    return 2;
  }
  const file = values['body-file'];
  const body = existsSync(file)
    ? readFileSync(file, 'utf8')
    : `## guardbench compare\n\n**The benchmark did not produce a comparison** (no ${file}); see the job log${values.link ? ` ([run](${values.link}))` : ''}.\n`;
  const api = fetchApi(token, values.repo, pr, process.env.GITHUB_API_URL ?? 'https://api.github.com');
  const done = await upsertComment(api, values.marker!, fitComment(body, GITHUB_COMMENT_LIMIT - 100, values.link));
  console.log(`${done.action} comment ${done.id} on ${values.repo}#${pr}`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then((code) => { process.exitCode = code; }, (e: unknown) => {
    console.error(`pr-comment: ${(e as Error).message}`);
    process.exitCode = 1;
  });
}
