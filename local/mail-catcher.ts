import { MailDev } from "maildev";

/**
 * MailDev, the local mail catcher: SMTP and a web inbox (with its REST API) on 127.0.0.1, the caught
 * emails in `folder`. Port 0 takes a free port. Used by `npm start` (local/carnet.ts) and the tests
 * (test/support/mail.ts). Quiet: MailDev's API prints its own address whatever `silent` says, and the
 * caller says where it is instead.
 */
export const startMailCatcher = async (smtp: number, web: number, folder: string) => {
  const maildev = new MailDev({
    smtp,
    ip: "127.0.0.1",
    web,
    webIp: "127.0.0.1",
    mailDirectory: folder,
    silent: true,
  });
  const info = console.info;
  console.info = () => undefined;
  try {
    const servers = await maildev.start();
    return {
      maildev,
      smtpPort: servers.smtp.getPort(),
      webPort: servers.api?.getAddress()?.port ?? web,
    };
  } finally {
    console.info = info;
  }
};
