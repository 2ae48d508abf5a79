import { actionPage } from '../action-page';

const page = actionPage('Transfer');
export const generateMetadata = page.generateMetadata;
export default page.ActionPage;
