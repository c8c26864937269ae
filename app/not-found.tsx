import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-md px-4 py-24 text-center">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="mt-2 text-stone-500">That page does not exist, or it is not yours to see.</p>
      <Link href="/" className="mt-6 inline-block text-brand-700 hover:underline">
        Back to the overview
      </Link>
    </main>
  );
}
