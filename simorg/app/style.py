"""The page's CSS: large type for projectors, a calm palette, charts in a responsive grid."""

from simorg.app.palette import FONT, MUTED, TEXT

CSS = f"""
.simorg-page, .simorg-page .v-application, .simorg-page .v-btn, .simorg-page .v-label,
.simorg-page input, .simorg-page .v-select__selection {{
  font-family: {FONT};
}}
.simorg-page {{ width: 100%; box-sizing: border-box; font-size: 17px; color: {TEXT}; line-height: 1.45;
  max-width: 1900px; margin: 0 auto; padding: 0 16px 40px 16px; }}
.simorg-page .v-btn {{ font-size: 16px; letter-spacing: 0.02em; text-transform: none; }}
.simorg-header {{ display: flex; align-items: center; gap: 18px; flex-wrap: wrap;
  border-bottom: 2px solid #e6e6e6; padding: 10px 0; margin-bottom: 12px; }}
.simorg-title {{ font-size: 26px; font-weight: 700; letter-spacing: 0.01em; }}
.simorg-tagline {{ color: {MUTED}; font-size: 16px; }}
.simorg-body {{ display: flex; gap: 20px; align-items: flex-start; }}
.simorg-sidebar {{ flex: 0 0 340px; max-width: 340px; }}
.simorg-main {{ flex: 1 1 auto; min-width: 0; }}
@media (max-width: 1100px) {{
  .simorg-body {{ flex-direction: column; }}
  .simorg-sidebar {{ max-width: none; flex-basis: auto; width: 100%; }}
}}
.simorg-card {{ border: 1px solid #e3e3e3; border-radius: 8px; padding: 12px 14px; background: #fff; }}
.simorg-section-title {{ font-size: 19px; font-weight: 650; margin: 6px 0 4px 0; }}
.simorg-muted {{ color: {MUTED}; font-size: 15px; }}
.simorg-step {{ font-size: 30px; font-weight: 700; font-variant-numeric: tabular-nums;
  min-width: 150px; padding: 0 8px; }}
.simorg-step-of {{ color: {MUTED}; font-size: 16px; }}
.simorg-reset-hint {{ color: #8a4b00; font-weight: 600; display: block; margin-top: 6px; }}
.simorg-controls {{ display: flex; flex-wrap: wrap; gap: 10px; align-items: center; }}
.simorg-visual {{ display: flex; gap: 16px; flex-wrap: wrap; align-items: flex-start; }}
.simorg-visual > .simorg-network-box {{ flex: 3 1 520px; min-width: 360px; }}
.simorg-visual > .simorg-side-box {{ flex: 2 1 320px; min-width: 300px; }}
.simorg-legend {{ font-size: 15px; }}
.simorg-charts {{ display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 14px 22px; }}
.simorg-charts-3 {{ display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 14px 22px; }}
@media (max-width: 900px) {{ .simorg-charts {{ grid-template-columns: 1fr; }} }}
.simorg-group-title {{ grid-column: 1 / -1; font-size: 20px; font-weight: 700; margin-top: 8px;
  border-bottom: 1px solid #e6e6e6; }}
.simorg-chart-title {{ font-size: 17px; font-weight: 650; }}
.simorg-unit {{ font-weight: 400; color: {MUTED}; font-size: 15px; }}
.simorg-chart-legend {{ font-size: 14.5px; margin-top: 2px; }}
.simorg-legend-row {{ display: flex; gap: 8px; align-items: flex-start; }}
.simorg-table {{ border-collapse: collapse; width: 100%; font-size: 15.5px; }}
.simorg-table th, .simorg-table td {{ padding: 4px 8px; border-bottom: 1px solid #eee; text-align: left;
  vertical-align: top; }}
.simorg-table td.num, .simorg-table th.num {{ text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }}
.simorg-section-btn .v-btn__content {{ justify-content: flex-start; font-weight: 600; }}
.simorg-param {{ margin-bottom: 4px; }}
.simorg-param .v-messages__message {{ font-size: 13.5px; line-height: 1.3; color: {MUTED}; }}
.simorg-changed .v-label {{ font-weight: 700; color: #0072B2 !important; }}
.simorg-about {{ max-width: 920px; font-size: 18px; }}
.simorg-about h1 {{ font-size: 30px; margin: 10px 0; }}
.simorg-about h2 {{ font-size: 23px; margin: 22px 0 8px 0; border-bottom: 1px solid #e6e6e6; }}
.simorg-about li {{ margin: 3px 0; }}
.simorg-about strong, .simorg-page b {{ font-weight: 700; }}
.simorg-about code {{ background: #f3f3f3; padding: 0 4px; border-radius: 3px; color: #333; }}
.simorg-drop .solara-file-drop {{ border: 2px dashed #b0b0b0; border-radius: 8px; padding: 14px;
  text-align: center; color: {MUTED}; min-height: 0; }}
.simorg-compare-cols {{ display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 22px; }}
.simorg-tag {{ display: inline-block; font-weight: 700; border-radius: 4px; padding: 0 8px; color: #fff;
  margin-right: 6px; }}
.simorg-log li {{ font-size: 15px; }}
.simorg-error, .simorg-error .v-alert__content, .simorg-wrap {{ overflow-wrap: anywhere;
  word-break: break-word; white-space: normal; min-width: 0; }}
.simorg-drop .widget-upload {{ margin-top: 6px; width: 100%; font-size: 15px; height: auto;
  padding: 6px; }}
.simorg-compare-customers {{ margin-top: 10px; border-top: 1px solid #eee; padding-top: 6px; }}
.simorg-diff {{ font-variant-numeric: tabular-nums; }}

/* projector mode: one 1280x720 screen, text >= 20 px, nothing scrolls */
.simorg-page-projector {{ max-width: none; height: calc(100vh - 16px); padding: 8px 14px; overflow: hidden;
  display: flex; flex-direction: column; font-size: 22px; }}
.simorg-projector {{ display: flex; flex-direction: column; height: 100%; min-height: 0; }}
.simorg-proj-bar {{ display: flex; align-items: center; gap: 16px; flex-wrap: nowrap;
  flex: 0 0 auto; }}
.simorg-proj-bar .simorg-controls {{ flex-wrap: nowrap; gap: 8px; }}
.simorg-proj-title {{ font-size: 26px; font-weight: 700; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; min-width: 0; flex: 1 1 auto; }}
.simorg-page-projector .v-btn {{ font-size: 20px !important; }}
.simorg-page-projector .simorg-step {{ font-size: 40px; min-width: 0; white-space: nowrap; }}
.simorg-page-projector .simorg-step-of {{ font-size: 20px; white-space: nowrap; }}
.simorg-page-projector .simorg-error {{ font-size: 20px; }}
.simorg-proj-body {{ flex: 1 1 auto; min-height: 0; display: grid; gap: 16px;
  grid-template-columns: minmax(0, 1.35fr) minmax(0, 1fr); margin-top: 8px; }}
.simorg-proj-network, .simorg-proj-side {{ min-height: 0; overflow: hidden; }}
.simorg-proj-network .simorg-network {{ height: 100%; }}
.simorg-proj-network .simorg-network-svg {{ max-height: calc(100vh - 140px) !important;
  width: 100% !important; height: calc(100vh - 140px) !important; }}
.simorg-proj-chart .simorg-chart-title {{ font-size: 26px; }}
.simorg-proj-chart .simorg-chart {{ max-height: calc(100vh - 350px); }}
.simorg-proj-legend {{ font-size: 22px; line-height: 1.3; margin-top: 6px; }}
"""
