// Every sentence the customer reads, in one table ready for translation. A sentence that names something a person
// typed (an agent's name, a request's title) is a function returning parts, where `{ user }` marks the typed text so
// the page isolates it (<bdi>): a right-to-left override in a name cannot reverse the words around it.

export type Part = string | { user: string };

export const strings = {
  title: 'Chat with us',
  greeting: 'Hi there! Tell us your name and what you need, and an agent will be with you shortly.',
  usuallyAnswer: 'We usually answer within a few minutes.',
  waiting: 'Waiting for an agent…',
  chattingWith: (name: string): Part[] => ['Chatting with ', { user: name }],
  ended: 'This chat has ended.',
  queuePosition: (position: number, waitMinutes: number | null) =>
    `${position === 1 ? 'You are next in the queue.' : `You are number ${position} in the queue.`}${
      waitMinutes === null ? '' : waitMinutes <= 1 ? ' Expected wait: about a minute.' : ` Expected wait: about ${waitMinutes} minutes.`
    }`,
  emailOptional: 'E-mail (optional)',
  emailRequired: 'E-mail',
  enterName: 'Enter your name to start the chat.',
  nameTooLong: 'Your name can be at most 80 characters.',
  badEmail: 'That e-mail address does not look right. It looks like name@example.com.',
  writeMessage: 'Write a message to start the chat.',
  chooseTopic: 'Choose a topic',
  you: 'You',
  joined: (name: string): Part[] => [{ user: name }, ' joined the chat'],
  nowChattingWith: (name: string): Part[] => ['You are now chatting with ', { user: name }],
  requestCreated: (title: string): Part[] => ['A request was created: ', { user: title }, '. We will get back to you.'],
  requestSolved: (title: string): Part[] => ['Your request ', { user: title }, ' has been solved.'],
  chatEnded: 'The chat has ended.',
  typing: (name: string): Part[] => [{ user: name }, ' is typing…'],
  sending: 'Sending…',
  uploading: 'Uploading…',
  fileLine: (name: string) => `File: ${name}`,
  fileNotLoaded: (name: string) => `${name} (could not be loaded)`,
  downloadFile: (name: string, size: string) => `Download ${name} (${size})`,
  downloadFailed: 'That file could not be downloaded. Try again in a moment.',
  fileBeforeStart: 'Wait until the chat has started to send a file.',
  fileEmpty: 'That file is empty.',
  fileFailed: 'The file could not be sent. Please try again.',
  tooManyChats: 'Too many chats were started from your network just now. Wait a minute and try again.',
  notSent: (why: string) => `Not sent: ${why}`,
  retry: 'Retry',
  connecting: 'Connecting…',
  reconnectingIn: (seconds: number) => `Connection lost. Reconnecting in ${seconds} s…`,
  notConnected: 'You are not connected right now. Try again in a moment.',
  ratingStar: (score: number) => (score === 1 ? '1 star' : `${score} stars`),
  chooseRating: 'Choose from 1 to 5 stars.',
  ratingThanks: 'Thank you for your rating.',
  ratingFailed: 'Your rating could not be sent. Please try again.',
  transcriptFile: 'chat-transcript.txt',
  transcriptHeading: (title: string, at: string) => `${title}: transcript of ${at}`,
  offlineIntro: 'Nobody is available to chat right now. Leave us a message and we will answer by e-mail.',
  closedIntro: (hours: string) => `We are closed now (our hours: ${hours}). Leave us a message and we will answer by e-mail.`,
  offlineSent: (expect: string) => `Thank you. We will answer by e-mail ${expect}.`,
  offlineFailed: 'Your message could not be sent. Please try again.',
  openChat: 'Open the chat',
  closeChat: 'Close the chat',
} as const;
