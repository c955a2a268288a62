import { redirect } from "next/navigation";

/** Humans land in their inbox; operators have the Overview a click away. */
export default function Home(): never {
  redirect("/inbox");
}
