# steps/reports/generate_report.step.rb
require 'csv'
require 'fileutils'
require 'tmpdir'

def config
  {
    type: 'event',
    name: 'GenerateReport',
    description: "Writes a user's analytics as a CSV report",
    subscribes: ['report.requested'],
    emits: ['report.generated', 'email.send'],
    input: {
      type: 'object',
      properties: { reportId: { type: 'string' }, userId: { type: 'string' }, email: { type: 'string' } },
      required: %w[reportId userId email]
    },
    flows: ['reports']
  }
end

def handler(input, context)
  report_id = input['reportId']
  user_id = input['userId']

  # Get data
  data = context.state.get_group("analytics:#{user_id}")

  # Generate the report (CSV, from Ruby's standard library)
  csv_path = File.join(Dir.tmpdir, "report_#{report_id}.csv")

  CSV.open(csv_path, 'w') do |csv|
    csv << %w[metric value]
    data.sort_by { |metric| metric['name'] }.each do |metric|
      csv << [metric['name'], metric['value']]
    end
  end

  # Upload to storage
  report_url = upload_file(csv_path)
  context.logger.info('Report generated', { reportId: report_id, metrics: data.size })

  # Emit completion
  context.emit(
    topic: 'report.generated',
    data: { reportId: report_id, url: report_url }
  )

  # Send email
  context.emit(
    topic: 'email.send',
    data: {
      to: input['email'],
      subject: 'Your report is ready',
      attachmentUrl: report_url
    }
  )
end

# Stands in for object storage: moves the file into REPORTS_DIR, which DownloadReport serves.
def upload_file(path)
  dir = ENV.fetch('REPORTS_DIR', File.join(Dir.tmpdir, 'motia-like-reports'))
  FileUtils.mkdir_p(dir)
  FileUtils.mv(path, File.join(dir, File.basename(path)))
  "/reports/#{File.basename(path)}"
end
