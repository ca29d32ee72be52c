"""Mail providers behind one ``Mailer`` protocol: SMTP, SendGrid and a file outbox."""
