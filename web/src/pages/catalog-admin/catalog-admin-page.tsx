export default function CatalogAdminPage(_props: { environment?: string }) {
  return <main id="main" className="page"><h1>CatalogAdminPage</h1></main>;
}
