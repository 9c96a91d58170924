import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { closeNow, listenOnLoopback } from './loopback.js';

// A small stand-in for GitHub's OAuth app endpoints and the two REST calls sign-in needs, on a loopback port, as
// GitHub documents them ("Authorizing OAuth apps"; REST "Users" and "Emails"):
//   GET  /login/oauth/authorize     -> 302 redirect_uri?code=&state=   (here the person is signed in already)
//   POST /login/oauth/access_token  -> {access_token, scope, token_type: "bearer"}; a bad code is answered 200 with
//                                      {error: "bad_verification_code"}, as GitHub does; PKCE S256 is checked
//   GET  /api/v3/user               -> {login, id, name, email}        (the API under /api/v3, as on GitHub Enterprise)
//   GET  /api/v3/user/emails        -> [{email, primary, verified, visibility}]

export interface GitHubUser {
  id: number;
  login: string;
  name: string | null;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

export interface FakeGitHub {
  oauthUrl: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** Who is signed in at GitHub: the next authorization is theirs. */
  signedIn: GitHubUser | undefined;
  stop(): Promise<void>;
}

interface Grant {
  user: GitHubUser;
  redirectUri: string;
  challenge: string;
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, GitHubUser>();
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());
  const handle: FakeGitHub = {
    oauthUrl: '',
    apiUrl: '',
    clientId: 'Iv1.fake-client-id',
    clientSecret: 'fake-github-client-secret-0123456789',
    signedIn: undefined,
    stop: async () => undefined,
  };
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');

  app.get('/login/oauth/authorize', (req, res) => {
    const redirectUri = text(req.query.redirect_uri);
    if (text(req.query.client_id) !== handle.clientId || redirectUri === '' || handle.signedIn === undefined) {
      res.status(404).send('Not Found');
      return;
    }
    if (text(req.query.code_challenge_method) !== 'S256' || text(req.query.code_challenge) === '') {
      res.status(400).send('PKCE S256 expected by this test server');
      return;
    }
    const code = randomBytes(10).toString('hex');
    codes.set(code, { user: handle.signedIn, redirectUri, challenge: text(req.query.code_challenge) });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', text(req.query.state));
    res.redirect(302, back.href);
  });

  app.post('/login/oauth/access_token', (req, res) => {
    const body: Record<string, unknown> = typeof req.body === 'object' && req.body !== null ? req.body : {};
    if (text(body.client_id) !== handle.clientId || text(body.client_secret) !== handle.clientSecret) {
      res.json({ error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.' });
      return;
    }
    const grant = codes.get(text(body.code));
    codes.delete(text(body.code));
    const verifier = text(body.code_verifier);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (grant === undefined || grant.challenge !== challenge || (body.redirect_uri !== undefined && text(body.redirect_uri) !== grant.redirectUri)) {
      res.json({
        error: 'bad_verification_code',
        error_description: 'The code passed is incorrect or expired.',
        error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code',
      });
      return;
    }
    const accessToken = `gho_${randomBytes(16).toString('hex')}`;
    tokens.set(accessToken, grant.user);
    res.json({ access_token: accessToken, scope: 'read:user,user:email', token_type: 'bearer' });
  });

  const userOf = (authorization: string | undefined): GitHubUser | undefined => tokens.get((authorization ?? '').replace(/^Bearer /, ''));
  app.get('/api/v3/user', (req, res) => {
    const user = userOf(req.headers.authorization);
    if (user === undefined) {
      res.status(401).json({ message: 'Requires authentication' });
      return;
    }
    res.json({ login: user.login, id: user.id, name: user.name, email: user.emails.find((email) => email.primary)?.email ?? null });
  });
  app.get('/api/v3/user/emails', (req, res) => {
    const user = userOf(req.headers.authorization);
    if (user === undefined) {
      res.status(401).json({ message: 'Requires authentication' });
      return;
    }
    res.json(user.emails.map((email) => ({ ...email, visibility: email.primary ? 'public' : null })));
  });

  const server: Server = createServer(app);
  const base = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  handle.oauthUrl = base;
  handle.apiUrl = `${base}/api/v3`;
  handle.stop = () => closeNow(server);
  return handle;
}
