require 'tmpdir'

def config
  {
    type: 'api',
    name: 'DownloadReport',
    description: 'Serves a generated report as CSV',
    method: 'GET',
    path: '/reports/:file',
    emits: [],
    flows: ['reports']
  }
end

def handler(req, _context)
  dir = ENV.fetch('REPORTS_DIR', File.join(Dir.tmpdir, 'motia-like-reports'))
  name = File.basename(req.path_params['file'])
  path = File.join(dir, name)
  return { status: 404, body: { error: "No report named #{name}." } } unless name.end_with?('.csv') && File.file?(path)

  { status: 200, body: File.read(path), headers: { 'content-type' => 'text/csv; charset=utf-8' } }
end
