/** What a page shows to a role it is not for: its heading and a plain sentence, no data. */
export function RoleRefused({ title, forWhom }: { title: string; forWhom: string }) {
  return (
    <section>
      <h1>{title}</h1>
      <p role="alert" className="notice notice-error">
        Your role does not allow this page. It is for {forWhom}; ask an admin of your company if you
        need it.
      </p>
    </section>
  );
}
