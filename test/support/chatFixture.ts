import { HttpClient, signUp } from './httpClient.js';

// Users and rooms for gateway tests, made over REST (the gateway is tested against what REST created).

export type User = Awaited<ReturnType<typeof signUp>>;

export async function createRoom(
  http: HttpClient,
  owner: User,
  kind: 'public' | 'private' | 'direct',
  options: { name?: string; members?: User[] } = {},
): Promise<string> {
  const response = await http.post('/api/chat/rooms', {
    token: owner.accessToken,
    body: { name: options.name ?? `${kind} room`, kind, memberIds: (options.members ?? []).map((member) => member.userId) },
  });
  if (response.status !== 201 && response.status !== 200) throw new Error(`create room: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.room.roomId;
}

export async function joinRoom(http: HttpClient, user: User, roomId: string): Promise<void> {
  const response = await http.post(`/api/chat/rooms/${roomId}/join`, { token: user.accessToken });
  if (response.status !== 200) throw new Error(`join: ${response.status} ${JSON.stringify(response.body)}`);
}

/** Sends over REST; returns the message (with its seq). */
export async function sendRest(
  http: HttpClient,
  user: User,
  roomId: string,
  text: string,
  clientMessageId: string,
): Promise<{ messageId: string; seq: number; text: string }> {
  const response = await http.post('/api/chat/send', { token: user.accessToken, body: { roomId, text, clientMessageId } });
  if (response.status !== 201) throw new Error(`send: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.message;
}

/** The room's head seq as REST shows it. */
export async function headSeqOf(http: HttpClient, user: User, roomId: string): Promise<number> {
  const response = await http.get(`/api/chat/rooms/${roomId}`, { token: user.accessToken });
  if (response.status !== 200) throw new Error(`room: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.room.headSeq;
}

export { HttpClient, signUp };
